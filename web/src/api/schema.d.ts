// The API's types, generated once for the dashboard and the TypeScript
// client package: client/typescript/src/schema.ts (openapi-typescript from
// admin/openapi.json; `npm run gen` here or `make client-gen` regenerates it).
export type * from '../../../client/typescript/src/schema';
