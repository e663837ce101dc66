/** Every workflow the worker registers. */
export { programmeWorkflow } from './programme';
export { countyVisitWorkflow } from './visit';
export { docNumberWorkflow } from './docnumber';
