import { renderAsync } from '@resvg/resvg-js';
import { join } from 'node:path';
import { parse, textMetrics, View } from 'vega';
import { compile } from 'vega-lite';
import { StageError } from '../errors.js';
import type { Figure } from './figure.js';
import { fontDir, FONT_FILES } from './fonts.js';
import { vegaTextWidth, type TextItem } from './text-width.js';
import { THEME } from './theme.js';

declare module 'vega' {
  /** Vega's text measurer (vega-scenegraph), which vega-typings leave out. */
  export const textMetrics: { width: (item: TextItem, text?: unknown) => number };
}

// Headless Vega has no canvas and guesses 0.8 em a character; measure DejaVu Sans instead.
textMetrics.width = vegaTextWidth;

/** A figure drawn: SVG text (for the report and the folder) and a PNG. */
export interface RenderedFigure {
  readonly svg: string;
  readonly png: Uint8Array;
}

/** PNG pixels per SVG pixel: sharp on high-density screens and in slides... */
const PNG_SCALE = 2;
/** ...unless that makes the PNG wider than this: a 53-panel grid stays a few MB and draws in half the time. */
const MAX_PNG_WIDTH = 1600;

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

/** PNG pixels per SVG pixel for an SVG: {@link PNG_SCALE}, less for a very wide one. */
export function pngScale(svg: string): number {
  const width = Number(/^<svg[^>]*?\swidth="([\d.]+)"/.exec(svg)?.[1]);
  return Number.isFinite(width) && width > 0
    ? Math.min(PNG_SCALE, MAX_PNG_WIDTH / width)
    : PNG_SCALE;
}

/**
 * A PNG of an SVG, drawn by resvg with the shipped fonts only (the same
 * pixels on every machine), off the main thread (libuv's pool), so the next
 * figure's SVG can be built meanwhile.
 */
export async function renderPng(svg: string, fonts = fontDir()): Promise<Uint8Array> {
  if (fonts === undefined)
    throw new StageError(
      `No fonts for PNG figures: ${FONT_FILES.join(', ')} are neither beside the stage bundle (dist/fonts) nor in node_modules/dejavu-fonts-ttf; run npm ci`,
    );
  const image = await renderAsync(svg, {
    font: {
      loadSystemFonts: false,
      fontFiles: FONT_FILES.map((f) => join(fonts, f)),
      defaultFontFamily: 'DejaVu Sans',
    },
    fitTo: { mode: 'zoom', value: pngScale(svg) },
  });
  return image.asPng();
}

/** The SVG of one figure; a StageError naming the figure when Vega refuses its spec. */
export async function drawSvg(figure: Figure): Promise<string> {
  try {
    return await renderSvg(figure);
  } catch (error) {
    throw new StageError(`Figure ${figure.name} could not be drawn: ${(error as Error).message}`);
  }
}

/** Draws one figure as SVG and PNG. */
export async function renderFigure(figure: Figure): Promise<RenderedFigure> {
  const svg = await drawSvg(figure);
  return { svg, png: await renderPng(svg) };
}
