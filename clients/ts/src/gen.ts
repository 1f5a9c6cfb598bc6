// Everything protoc-gen-es generated from proto/switchboard/v1, in one place,
// so the entry points re-export the whole API without listing it twice.
export * from "./gen/switchboard/v1/admin_pb.js";
export * from "./gen/switchboard/v1/admin_keys_pb.js";
export * from "./gen/switchboard/v1/audit_pb.js";
export * from "./gen/switchboard/v1/completion_pb.js";
export * from "./gen/switchboard/v1/error_pb.js";
export * from "./gen/switchboard/v1/tenancy_pb.js";
export * from "./gen/switchboard/v1/types_pb.js";
