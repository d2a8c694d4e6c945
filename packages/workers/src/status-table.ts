export { statusTable } from '@overload/core';
