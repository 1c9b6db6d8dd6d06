/**
 * A setup file: vitest runs it before every test file (also when files share a worker), so each
 * file removes the temporary repositories it made once it is done.
 */
import { afterAll } from 'vitest';
import { removeTempDirs } from './git.js';

afterAll(removeTempDirs);
