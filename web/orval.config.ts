import { defineConfig } from "orval";

// The API client is generated from the contract (api/openapi.yaml): types
// and TanStack Query hooks. `npm run generate` (called by `make generate`)
// rewrites src/api/generated.ts; never edit it by hand.
export default defineConfig({
  ticketer: {
    input: { target: "../api/openapi.yaml" },
    output: {
      target: "src/api/generated.ts",
      client: "react-query",
      httpClient: "fetch",
      mode: "single",
      clean: false,
      prettier: false,
      override: {
        mutator: { path: "src/api/fetcher.ts", name: "apiFetch" },
        fetch: { includeHttpResponseReturnType: false },
        query: { useQuery: true, useInfinite: false, useMutation: true, signal: false },
        operations: {
          // The queue pages with next_cursor.
          listTickets: { query: { useQuery: true, useInfinite: true, useInfiniteQueryParam: "cursor" } },
          // Replies go as multipart so files can ride along (the API takes both).
          createReply: { contentType: { include: ["multipart/form-data"] } },
        },
      },
    },
  },
});
