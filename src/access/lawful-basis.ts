/**
 * The lawful bases of the PDPA (B.E. 2562, section 24) a client may declare for its reads. Consent
 * is the basis of a bank's reads of consent-gated fields; the ministry and its offices read under
 * their public task. Recorded with every audited read.
 */
export const LAWFUL_BASES = ['CONSENT', 'CONTRACT', 'PUBLIC_TASK', 'LEGAL_OBLIGATION', 'LEGITIMATE_INTEREST'] as const;
export type LawfulBasis = (typeof LAWFUL_BASES)[number];

export const isLawfulBasis = (value: string): value is LawfulBasis => (LAWFUL_BASES as readonly string[]).includes(value);
