/** `value` JSON-quoted for a message, long ones cut: the message must still say what is wrong. */
export function shown(value: string, max = 48): string {
  return value.length <= max
    ? JSON.stringify(value)
    : `${JSON.stringify(value.slice(0, max))}… (${value.length} characters)`;
}
