import { fromBinary, toBinary, type DescMessage, type DescService, type MessageShape } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt';
import type { MethodDefinition, ServiceDefinition } from '@grpc/grpc-js';

/**
 * Bridges protoc-gen-es service descriptors to @grpc/grpc-js.
 *
 * Servers receive requests as raw bytes: the handler pipeline decodes them
 * itself, so a malformed message becomes INVALID_ARGUMENT naming the RPC
 * (grpc-js would otherwise answer INTERNAL) and a batch's signed bytes can be
 * verified exactly as they arrived.
 */
export function grpcPath(service: DescService, methodName: string): string {
  return `/${service.typeName}/${methodName}`;
}

export function serverDefinition(service: DescService): ServiceDefinition {
  const def: Record<string, MethodDefinition<any, any>> = {};
  for (const method of service.methods) {
    def[method.name] = {
      path: grpcPath(service, method.name),
      requestStream: method.methodKind === 'client_streaming' || method.methodKind === 'bidi_streaming',
      responseStream: method.methodKind === 'server_streaming' || method.methodKind === 'bidi_streaming',
      requestSerialize: (bytes: Uint8Array) => Buffer.from(bytes),
      requestDeserialize: (bytes: Buffer) => bytes,
      responseSerialize: (msg: MessageShape<DescMessage>) => Buffer.from(toBinary(method.output, msg)),
      responseDeserialize: (bytes: Buffer) => fromBinary(method.output, bytes),
      originalName: method.localName,
    };
  }
  return def;
}

export function clientDefinition(service: DescService): ServiceDefinition {
  const def: Record<string, MethodDefinition<any, any>> = {};
  for (const method of service.methods) {
    def[method.localName] = {
      path: grpcPath(service, method.name),
      requestStream: method.methodKind === 'client_streaming' || method.methodKind === 'bidi_streaming',
      responseStream: method.methodKind === 'server_streaming' || method.methodKind === 'bidi_streaming',
      requestSerialize: (msg: MessageShape<DescMessage>) => Buffer.from(toBinary(method.input, msg)),
      requestDeserialize: (bytes: Buffer) => fromBinary(method.input, bytes),
      responseSerialize: (msg: MessageShape<DescMessage>) => Buffer.from(toBinary(method.output, msg)),
      responseDeserialize: (bytes: Buffer) => fromBinary(method.output, bytes),
    };
  }
  return def;
}

/**
 * The shape @grpc/reflection reads: serialized FileDescriptorProtos of every
 * file a service needs, keyed by the service's full name.
 */
export function reflectionPackage(services: DescService[]): Record<string, { fileDescriptorProtos: Buffer[] }> {
  const pkg: Record<string, { fileDescriptorProtos: Buffer[] }> = {};
  for (const service of services) {
    const files = new Map<string, Buffer>();
    const visit = (file: DescService['file']) => {
      if (files.has(file.name)) return;
      files.set(file.name, Buffer.from(toBinary(FileDescriptorProtoSchema, file.proto)));
      file.dependencies.forEach(visit);
    };
    visit(service.file);
    pkg[service.typeName] = { fileDescriptorProtos: [...files.values()] };
  }
  return pkg;
}
