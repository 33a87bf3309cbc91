export type { AxisColumn, FigureSpec, GroupColumn, Layout, Trace } from './figureSpec.ts';
export { summariseOverSeeds, type SeedSummaryOptions, type SeedSummaryRow } from './seedSummary.ts';
export { curveFigure, type CurveFigureOptions } from './curveFigure.ts';
export { errorBarFigure, type ErrorBarFigureOptions } from './errorBarFigure.ts';
export { histogramFigure, type HistogramFigureOptions } from './histogramFigure.ts';
export { stepSizeFigure, type StepSizeFigureOptions } from './stepSizeFigure.ts';
export { figureHtml, plotlyLibraryHtml, plotlyVersion } from './figureHtml.ts';
export { NotebookReport, type HtmlDisplay, type NotebookReportOptions } from './notebookReport.ts';
export { notebookProfile, forProfile, NOTEBOOK_PROFILES, type NotebookProfile } from './profile.ts';
