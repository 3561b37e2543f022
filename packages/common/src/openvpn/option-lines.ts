/**
 * OpenVPN reads each config line with `fgets` into a 256-byte buffer that includes the newline and
 * rejects a line that fills it ("Maximum option line length (256) exceeded"). Measured with 2.6.14:
 * 254 characters plus newline load, 255 do not. The limit counts bytes, not characters.
 */
export const MAX_OPTION_LINE_BYTES = 254;

/**
 * Joins the lines of an OpenVPN config or ccd file with `\n` and refuses any line OpenVPN would reject,
 * naming the file, the line number and how the line starts. Leading or trailing newlines are expressed
 * by empty first or last elements.
 */
export function joinOptionLines(file: string, lines: readonly string[]): string {
  lines.forEach((line, i) => {
    const bytes = Buffer.byteLength(line);
    if (bytes > MAX_OPTION_LINE_BYTES) {
      throw new Error(`${file} line ${i + 1} is ${bytes} bytes, OpenVPN accepts at most ${MAX_OPTION_LINE_BYTES}: ${line.slice(0, 80)}...`);
    }
  });
  return lines.join('\n');
}
