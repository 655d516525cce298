/**
 * Schema drift in a JSON item listing: which of the fields the hub reads a page's items lack, and
 * which fields they carry that the hub does not know. A JSON listing has no header (unlike a CSV, or
 * CKAN's `result.fields`), so the page's items stand in for it.
 *
 * "Missing" means absent from every item of the page (the key not there at all; `null` counts as
 * present): that is what a renamed or dropped field looks like, whereas one item without a field is a
 * bad item, quarantined by the mapper as before. An API that leaves out a field when its value is
 * null gives no false failure unless no item of a page has a value, which for a required field cannot
 * happen in a usable feed. Items that are not JSON objects are left to the mapper (it rejects them).
 * Field names are matched exactly, as the mapper reads them: `JuristicId` is not `juristicId`.
 */

/** The top-level fields a listing's items may carry, as the mapper reads them. */
export interface ItemFields<F extends string = string> {
  /** Without them no item can be mapped: absent from a whole page, the feed has changed. */
  required: readonly F[];
  /** Read when present; absent means empty. */
  optional: readonly F[];
}

export interface ItemFieldCheck {
  /** Required fields absent from every item (in the declared order). */
  missing: string[];
  /** Optional fields absent from every item (in the declared order). */
  absentOptional: string[];
  /** Fields the hub does not read, in order of first appearance. */
  unknown: string[];
  /** Items that are JSON objects: the check says nothing when there are none. */
  objects: number;
}

/** Checks one page's items against the declared fields. Pure; O(items x fields). */
export function checkItemFields(items: readonly unknown[], fields: ItemFields): ItemFieldCheck {
  const known = new Set<string>([...fields.required, ...fields.optional]);
  const seen = new Set<string>();
  const unknown = new Set<string>();
  let objects = 0;
  for (const item of items) {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) continue;
    objects += 1;
    for (const key of Object.keys(item)) {
      if (known.has(key)) seen.add(key);
      else unknown.add(key);
    }
  }
  const absent = (field: string): boolean => objects > 0 && !seen.has(field);
  return {
    missing: fields.required.filter(absent),
    absentOptional: fields.optional.filter(absent),
    unknown: [...unknown],
    objects,
  };
}
