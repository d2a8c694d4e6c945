export { statusTable } from '@overload/core/internal';
