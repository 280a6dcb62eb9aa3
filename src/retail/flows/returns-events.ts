/**
 * The inbound events of the returns flow are contracts of the catalogue: `return.requested` starts
 * the flow, `return.arrived` is the warehouse's count of the parcel.
 */
export {
  type ReturnArrived,
  ReturnArrivedSchema,
  type ReturnRequested,
  ReturnRequestedSchema,
} from '../../contracts/index.js';
