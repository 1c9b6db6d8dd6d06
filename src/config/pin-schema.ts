/**
 * What a rollback writes besides the pin's version, and where the pin is: the pin's locators, the kill
 * switch, and the image automation held off the locked version.
 */
import { z } from 'zod';
import { regex, repoFile, yamlPath } from './schema-values.js';
import { shown } from './shown.js';
import { SETTER_MESSAGE, SETTER_PATTERN, versionProblem } from './values.js';

const documentMatch = z.strictObject({
  kind: z.string().optional().describe("The document's kind, e.g. HelmRelease."),
  name: z.string().optional().describe("The document's metadata.name."),
});

export const LOCATOR_KEYS = ['kustomize_image', 'yaml_path', 'container', 'setter', 'regex'] as const;

export const pin = z
  .strictObject({
    file: repoFile.describe('The file of the GitOps repository that holds the pin, relative to its root.'),
    kustomize_image: z
      .string()
      .min(1)
      .optional()
      .describe(
        'Locator: the images: entry of a kustomization with this name; the pin is its newTag (or digest).',
      ),
    field: z
      .enum(['newTag', 'digest'])
      .optional()
      .describe('With kustomize_image: which field is the pin where the entry sets both.'),
    yaml_path: yamlPath
      .optional()
      .describe(
        'Locator: the path of a scalar, e.g. spec.chart.spec.version; [N] or [key=VALUE] picks a list element.',
      ),
    container: z
      .string()
      .min(1)
      .optional()
      .describe(
        "Locator: the tag of this container's image: in a workload (init containers and pod templates included).",
      ),
    match: documentMatch
      .optional()
      .describe(
        'With yaml_path or container: the document of a multi-document file, by kind and metadata.name.',
      ),
    setter: z
      .string()
      .regex(SETTER_PATTERN, { message: SETTER_MESSAGE })
      .optional()
      .describe(
        'Locator: a Flux image-automation marker, NAMESPACE:POLICY with an optional :tag, :name or :digest.',
      ),
    regex: regex
      .optional()
      .describe(
        'Locator: a JavaScript RegExp (flag m, matched in linear time) whose named group version matches the pin, exactly once in the file.',
      ),
  })
  .superRefine((p, ctx) => {
    const given = LOCATOR_KEYS.filter((k) => p[k] !== undefined);
    if (given.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        message:
          given.length === 0
            ? `a pin needs one locator: ${LOCATOR_KEYS.join(', ')}`
            : `a pin takes exactly one locator, found ${given.join(' and ')}`,
      });
    }
  });

/**
 * The kill switch's value is written into its file as a pin's version is (writePin): a value that
 * could not be written (`writes disabled`, quotes, `#`) would fail the rollback commit itself.
 */
const killSwitchValue = z
  .union([z.string(), z.number(), z.boolean()])
  .transform(String)
  .superRefine((v, ctx) => {
    if (versionProblem(v) === undefined) return;
    ctx.addIssue({
      code: 'custom',
      message:
        `${shown(v)} cannot be written as a plain scalar: a kill switch value holds ` +
        'letters, digits and . _ + - @ : / = only (e.g. "true", "0" or off)',
    });
  });

export const killSwitch = z
  .strictObject({
    file: repoFile.describe('The file of the GitOps repository that holds the switch.'),
    yaml_path: yamlPath
      .optional()
      .describe("Locator: the path of the switch's scalar, e.g. data.writes_disabled."),
    regex: regex
      .optional()
      .describe(
        "Locator: a JavaScript RegExp whose named group version matches the switch's value, exactly once.",
      ),
    value: killSwitchValue.describe('The value written in the rollback commit, e.g. "true" or 0.'),
    release: z
      .enum(['on_recovery', 'manual'])
      .default('manual')
      .describe(
        'manual (default): a person sets it back; on_recovery: its own commit once the stable verifies.',
      ),
  })
  .refine((k) => (k.yaml_path === undefined) !== (k.regex === undefined), {
    message: 'a kill switch takes exactly one locator: yaml_path or regex',
  });

const holdFile = repoFile.describe('The file of the GitOps repository that holds the resource.');
const holdName = z
  .string()
  .optional()
  .describe("The resource's metadata.name, where the file holds several of its kind.");

/** Image automation that must not push the locked version back (Flux, Argo CD Image Updater). */
export const hold = z.discriminatedUnion(
  'type',
  [
    z.strictObject({
      type: z
        .literal('flux_image_policy')
        .describe('A Flux ImagePolicy (semver): !=VERSION is added to its range.'),
      file: holdFile,
      name: holdName,
    }),
    z.strictObject({
      type: z.literal('flux_image_update_automation').describe('A Flux ImageUpdateAutomation: suspended.'),
      file: holdFile,
      name: holdName,
    }),
    z.strictObject({
      type: z
        .literal('argocd_image_updater')
        .describe(
          'An Argo CD Image Updater Application or ImageUpdater: the tag is added to its ignore-tags.',
        ),
      file: holdFile,
      name: holdName,
      alias: z.string().optional().describe("The image's alias where the resource lists several images."),
    }),
  ],
  { error: 'type must be flux_image_policy, flux_image_update_automation or argocd_image_updater' },
);
