import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The font files PNG rendering uses (DejaVu Sans, shipped with the stage: images have no system fonts). */
export const FONT_FILES = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'] as const;

/**
 * The folder holding {@link FONT_FILES}: `fonts/` beside the stage bundle
 * (dist/fonts, what the images carry), else the `dejavu-fonts-ttf` package
 * (running from source). Undefined when neither exists.
 */
export function fontDir(moduleUrl = import.meta.url): string | undefined {
  const beside = join(dirname(fileURLToPath(moduleUrl)), 'fonts');
  if (existsSync(join(beside, FONT_FILES[0]))) return beside;
  try {
    const pkg = createRequire(moduleUrl).resolve('dejavu-fonts-ttf/package.json');
    const dir = join(dirname(pkg), 'ttf');
    return existsSync(join(dir, FONT_FILES[0])) ? dir : undefined;
  } catch {
    return undefined;
  }
}
