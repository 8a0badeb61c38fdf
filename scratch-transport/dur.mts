import { CrucibleStore } from '../src/store/store.js';
