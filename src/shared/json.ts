/** A value as JSON can hold it (what jsonb columns store and feeds carry). */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
