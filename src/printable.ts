/**
 * Text that came from a file, the store or a command line, made safe to print: control
 * characters (escape sequences, bells, carriage returns, newlines inside a value) and the
 * Unicode controls that reorder how text is displayed are shown as \uXXXX rather than
 * reaching the terminal, so no value can erase, move or fake a line. Shared by every
 * layer, like errors.ts.
 */
export function escapeControls(text: string): string {
  return text.replace(
    /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
