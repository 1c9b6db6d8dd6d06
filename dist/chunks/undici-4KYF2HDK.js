import { createRequire as __pinbackCreateRequire } from 'node:module';const require = __pinbackCreateRequire(import.meta.url);
import{a}from"./chunk-AJUYDVF5.js";import"./chunk-ZCMGD7JS.js";export default a();
