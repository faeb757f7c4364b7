/** A user error: bad flag, missing or malformed file. The CLI prints its message on one line and exits 2. */
export class CliError extends Error {}
