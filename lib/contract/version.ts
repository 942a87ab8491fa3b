/** The epycloud release: the CLI's `--version`, the report's generator (a test keeps it equal to package.json's). */
export const EPYCLOUD_VERSION = '0.1.0';
