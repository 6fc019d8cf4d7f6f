/**
 * Text that came from a file or a command line, made safe to print: control characters
 * (escape sequences, bells, newlines inside a value) are shown as \uXXXX rather than
 * reaching the terminal. Shared by every layer, like errors.ts.
 */
export function escapeControls(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
