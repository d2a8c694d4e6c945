export { main, buildProgram } from './program.js';
export { EXIT, EXIT_CODE_TABLE, type ExitCode } from './exit-codes.js';
