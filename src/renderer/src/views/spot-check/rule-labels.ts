// The rules' Japanese names for the console (the findings contract's table) and the filter's order.
import { RULE_IDS } from '../../../../domain/audit/types';
export { RULE_LABELS } from '../../../../shared/findings-api';
export const RULE_IDS_FOR_FILTER = RULE_IDS;
