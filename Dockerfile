# syntax=docker/dockerfile:1
# The pinback CLI for CI systems other than GitHub Actions (GitLab CI, Jenkins, Buildkite, a cron
# job): `docker run --rm ghcr.io/acme/pinback run -c pinback.yml --gitops https://…`.
# The image carries the committed bundle (dist/ is checked against src/ before every release), so
# it needs no build stage and no node_modules: the bundle imports only Node's built-ins.
FROM node:24-slim

# git for the GitOps repository (https and ssh remotes), CA certificates for https. A CI checkout
# is often owned by another user than the one pinback runs as (GitLab's runner clones as root), and
# git refuses to read such a repository ("dubious ownership") unless it is marked safe.
RUN apt-get update \
  && apt-get install -y --no-install-recommends git openssh-client ca-certificates \
  && rm -rf /var/lib/apt/lists/* \
  && git config --system --add safe.directory '*'

WORKDIR /opt/pinback
COPY package.json LICENSE README.md ./
COPY schema/ schema/
COPY dist/ dist/
RUN ln -s /opt/pinback/dist/cli.js /usr/local/bin/pinback

ARG VERSION=dev
LABEL org.opencontainers.image.title="pinback" \
  org.opencontainers.image.description="Roll a bad release back in git: reads a candidate's metrics, decides from a policy, and commits a revert of the version pin." \
  org.opencontainers.image.source="https://github.com/acme/pinback" \
  org.opencontainers.image.licenses="MIT" \
  org.opencontainers.image.version="${VERSION}"

# The node image's unprivileged user (uid 1000); `docker run --user "$(id -u):$(id -g)"` for a
# mounted work tree owned by someone else.
USER node
WORKDIR /work
ENTRYPOINT ["pinback"]
CMD ["--help"]
