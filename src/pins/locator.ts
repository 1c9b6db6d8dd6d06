/**
 * Where a version pin stands in a file. Exactly one locator key per pin (DESIGN.md, "Pin locators").
 * `match` narrows a multi-document YAML file to one document by `kind` and `metadata.name`.
 */
export interface DocumentMatch {
  kind?: string | undefined;
  name?: string | undefined;
}

export type PinLocator =
  | { kustomize_image: string; field?: 'newTag' | 'digest' | undefined }
  | { yaml_path: string; match?: DocumentMatch | undefined }
  | { container: string; match?: DocumentMatch | undefined }
  | { setter: string }
  | { regex: string };
