// Naming the control characters to remove is the point of this pattern.
const CONTROL = /[\u0000-\u001f\u007f\u2028\u2029]+/g;

/** One line of text: newlines, tabs and other control characters become single spaces. */
export function oneLine(value: string): string {
  return value.replace(CONTROL, ' ');
}
