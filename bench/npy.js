// Minimal .npy (format 1.0-3.0) reader and writer for the benchmark: the
// little-endian, C-order float32, int64 and bool arrays that NumPy writes
// for model inputs and outputs, as onnxruntime-node tensor data.
'use strict';

const fs = require('fs');

const MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]); // \x93NUMPY

// NumPy descr -> onnxruntime-node type name and typed-array constructor.
const TYPES = {
  '<f4': {ort: 'float32', array: Float32Array},
  '<f8': {ort: 'float64', array: Float64Array},
  '<i8': {ort: 'int64', array: BigInt64Array},
  '<i4': {ort: 'int32', array: Int32Array},
  '|b1': {ort: 'bool', array: Uint8Array},
  '|u1': {ort: 'uint8', array: Uint8Array},
  '|i1': {ort: 'int8', array: Int8Array},
};

/** Reads `path`: {type (ORT's name), dims, data (a typed array)}. */
function readNpy(path) {
  const blob = fs.readFileSync(path);
  if (blob.length < 10 || !blob.subarray(0, 6).equals(MAGIC))
    throw new Error(`${path}: not a .npy file`);
  const major = blob[6];
  const lenBytes = major === 1 ? 2 : 4;
  const headerLen = lenBytes === 2 ? blob.readUInt16LE(8) : blob.readUInt32LE(8);
  const start = 8 + lenBytes;
  const header = blob.toString('latin1', start, start + headerLen);
  const descr = /'descr':\s*'([^']+)'/.exec(header);
  const order = /'fortran_order':\s*(True|False)/.exec(header);
  const shape = /'shape':\s*\(([^)]*)\)/.exec(header);
  if (!descr || !order || !shape) throw new Error(`${path}: malformed .npy header`);
  if (order[1] === 'True') throw new Error(`${path}: Fortran-order arrays are not supported`);
  const type = TYPES[descr[1]];
  if (!type) throw new Error(`${path}: unsupported dtype ${descr[1]}`);
  const dims = shape[1].split(',').map((s) => s.trim()).filter((s) => s).map(Number);
  const count = dims.reduce((a, b) => a * b, 1);
  const offset = start + headerLen;
  const bytes = count * type.array.BYTES_PER_ELEMENT;
  if (blob.length - offset !== bytes)
    throw new Error(`${path}: ${blob.length - offset} data bytes, expected ${bytes}`);
  // Copy into a fresh, aligned buffer (a Buffer slice may be misaligned).
  const data = new type.array(count);
  Buffer.from(data.buffer).set(blob.subarray(offset));
  return {type: type.ort, dims, data};
}

/** Writes an onnxruntime-node tensor ({type, dims, data}) as .npy. */
function writeNpy(path, tensor) {
  const entry = Object.entries(TYPES).find(([, t]) => t.ort === tensor.type);
  if (!entry) throw new Error(`cannot write a ${tensor.type} tensor as .npy`);
  const shape = tensor.dims.length === 1 ? `(${tensor.dims[0]},)` : `(${tensor.dims.join(', ')})`;
  let header = `{'descr': '${entry[0]}', 'fortran_order': False, 'shape': ${shape}, }`;
  // Pad so that the data starts on a 64-byte boundary, ending in '\n'.
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
  const prefix = Buffer.alloc(10);
  MAGIC.copy(prefix);
  prefix[6] = 1;
  prefix[7] = 0;
  prefix.writeUInt16LE(header.length, 8);
  const data = tensor.data;
  fs.writeFileSync(path, Buffer.concat([prefix, Buffer.from(header, 'latin1'),
    Buffer.from(data.buffer, data.byteOffset, data.byteLength)]));
}

module.exports = {readNpy, writeNpy};
