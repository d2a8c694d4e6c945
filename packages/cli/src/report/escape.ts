/**
 * Everything a report writes comes from a result file, and a result file carries strings from
 * the outside world: target URLs, probe names, error details, scenario descriptions. Each one
 * goes through exactly one of these on its way into HTML or XML.
 */

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text and attribute values in HTML (attributes are always double-quoted). */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/**
 * Text in XML 1.0. Characters XML 1.0 cannot carry at all (most C0 controls, lone surrogates)
 * are replaced by U+FFFD: a JUnit file that does not parse is worse than one with a placeholder
 * in an error message.
 */
export function escapeXmlText(value: unknown): string {
  return String(value)
    .replace(
      // biome-ignore lint/suspicious/noControlCharactersInRegex: these are exactly the characters XML 1.0 forbids
      /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g,
      '\uFFFD',
    )
    .replace(/[&<>"']/g, (c) => (c === "'" ? '&apos;' : HTML_ESCAPES[c]!));
}

/** A double-quoted XML attribute value: as text, and line breaks and tabs kept as references (a parser would fold them to spaces). */
export function escapeXmlAttr(value: unknown): string {
  return escapeXmlText(value).replace(/[\t\n\r]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * JSON embedded in a `<script type="application/json">` block. `<` is written as `\u003c`, so
 * no string in the data can close the script element (`</script>`) or open a comment (`<!--`);
 * U+2028/2029 are escaped for the old parsers that treat them as line ends. `JSON.parse` reads
 * all of them back unchanged.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}
