/**
 * Counts what the hardening tests tried, so README's testing section can state it from a run
 * rather than from memory. Each test file adds to the tally and appends its line to a report.
 */
export const tally = { events: 0, badInputs: 0, forged: 0, faults: 0, restarts: 0, lost: 0 };
