export { type ContractTestApi, defineStoreContractTests, type StoreContractFactories } from './store-contract.js';
