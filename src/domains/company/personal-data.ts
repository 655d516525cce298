export { MASK } from '../../shared/mask';
