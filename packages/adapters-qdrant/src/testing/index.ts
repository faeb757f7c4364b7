export {
  type ProtocolServerOptions,
  type QdrantProtocolServer,
  type RecordedRequest,
  startQdrantProtocolServer,
} from "./qdrant-protocol-server.js";
