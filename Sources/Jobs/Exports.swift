// A kind's code names wire types (its kind name, job ids, failures) and may read and write its input and
// output by hand with the wire's field helpers: all of FanoutProtocol comes with this module, and ByteBuffer.
@_exported import FanoutProtocol
@_exported import struct NIOCore.ByteBuffer
