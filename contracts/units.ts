/** Units and sentinels shared by every runtime, so a conversion factor is written once. */

export const MILLIS_PER_SECOND = 1_000;
export const SECONDS_PER_MINUTE = 60;
export const SECONDS_PER_HOUR = 3_600;
export const SECONDS_PER_DAY = 86_400;
export const MILLIS_PER_MINUTE = SECONDS_PER_MINUTE * MILLIS_PER_SECOND;
export const MILLIS_PER_HOUR = SECONDS_PER_HOUR * MILLIS_PER_SECOND;
export const MILLIS_PER_DAY = SECONDS_PER_DAY * MILLIS_PER_SECOND;
export const BYTES_PER_KIB = 1_024;
export const BYTES_PER_MIB = 1_024 * BYTES_PER_KIB;

/**
 * AWS's "no limit" value for event source mapping settings: MaximumRetryAttempts -1 retries until
 * the record expires, MaximumRecordAgeInSeconds -1 never discards by age.
 */
export const UNLIMITED = -1;
