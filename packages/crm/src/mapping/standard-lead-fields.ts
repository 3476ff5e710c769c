/**
 * `from` values the default mappings share, so a lead in the normalised source format
 * (`fullName`, `phoneNumber`, see @crm-push/sources) lands with no mapping configured, as well
 * as one posted with `firstName`/`lastName`/`phone`.
 */
export const STANDARD_FROM = {
  /** firstName, else the first word of fullName. */
  firstName: '{% if data.firstName != blank %}{{ data.firstName }}{% else %}{{ data.fullName | strip | split: " " | first }}{% endif %}',
  /** lastName; when neither name part is given, the rest of fullName. */
  lastName:
    '{% if data.lastName != blank or data.firstName != blank %}{{ data.lastName }}{% else %}' +
    '{% assign parts = data.fullName | strip | split: " " %}{{ parts | slice: 1, 1000 | join: " " }}{% endif %}',
  /** phone, else phoneNumber. */
  phone: '{{ data.phone | default: data.phoneNumber }}',
} as const;
