import { Resvg } from '@resvg/resvg-js';
import { join } from 'node:path';
import { parse, View } from 'vega';
import { compile } from 'vega-lite';
import { StageError } from '../errors.js';
import type { Figure } from './figure.js';
import { fontDir, FONT_FILES } from './fonts.js';
import { THEME } from './theme.js';

/** A figure drawn: SVG text (for the report and the folder) and a PNG at twice the size. */
export interface RenderedFigure {
  readonly svg: string;
  readonly png: Uint8Array;
}

/** PNG pixels per SVG pixel: sharp on high-density screens and in slides. */
const PNG_SCALE = 2;

/** The SVG of a Vega-Lite spec, rendered headless by Vega (no browser, no canvas). */
export async function renderSvg(figure: Figure): Promise<string> {
  const { spec } = compile(figure.spec, { config: THEME });
  const view = new View(parse(spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** A PNG of an SVG, drawn by resvg with the shipped fonts only (the same pixels on every machine). */
export function renderPng(svg: string, fonts = fontDir()): Uint8Array {
  if (fonts === undefined)
    throw new StageError(
      `No fonts for PNG figures: ${FONT_FILES.join(', ')} are neither beside the stage bundle (dist/fonts) nor in node_modules/dejavu-fonts-ttf; run npm ci`,
    );
  const resvg = new Resvg(svg, {
    font: {
      loadSystemFonts: false,
      fontFiles: FONT_FILES.map((f) => join(fonts, f)),
      defaultFontFamily: 'DejaVu Sans',
    },
    fitTo: { mode: 'zoom', value: PNG_SCALE },
  });
  return resvg.render().asPng();
}

/** Draws one figure as SVG and PNG; a StageError naming the figure when Vega refuses its spec. */
export async function renderFigure(figure: Figure): Promise<RenderedFigure> {
  let svg: string;
  try {
    svg = await renderSvg(figure);
  } catch (error) {
    throw new StageError(`Figure ${figure.name} could not be drawn: ${(error as Error).message}`);
  }
  return { svg, png: renderPng(svg) };
}
