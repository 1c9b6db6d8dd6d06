import type { BuildOptions } from 'esbuild';

export declare const COMMON: BuildOptions;
export declare const DIST: BuildOptions;
