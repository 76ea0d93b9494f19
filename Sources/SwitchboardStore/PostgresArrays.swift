import PostgresNIO

/// A one-dimensional PostgreSQL array parameter whose elements may be NULL,
/// written in the binary array format (postgres-nio's own arrays take no NULLs).
struct NullableArray: PostgresDynamicTypeEncodable {
    enum Elements {
        case text([String?])
        case float8([Double?])
    }
    var elements: Elements

    var psqlType: PostgresDataType {
        switch elements {
        case .text: return .textArray
        case .float8: return .float8Array
        }
    }
    var psqlFormat: PostgresFormat { .binary }

    func encode<JSONEncoder: PostgresJSONEncoder>(into buffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) {
        switch elements {
        case .text(let values):
            header(into: &buffer, count: values.count, hasNull: values.contains { $0 == nil }, elementType: 25)
            for value in values {
                guard var value else { buffer.writeInteger(Int32(-1)); continue }
                let lengthIndex = buffer.writerIndex
                buffer.writeInteger(Int32(0))
                let written = value.withUTF8 { buffer.writeBytes($0) }
                buffer.setInteger(Int32(written), at: lengthIndex)
            }
        case .float8(let values):
            header(into: &buffer, count: values.count, hasNull: values.contains { $0 == nil }, elementType: 701)
            for value in values {
                guard let value else { buffer.writeInteger(Int32(-1)); continue }
                buffer.writeInteger(Int32(8))
                buffer.writeInteger(value.bitPattern)
            }
        }
    }

    private func header(into buffer: inout ByteBuffer, count: Int, hasNull: Bool, elementType: UInt32) {
        buffer.writeInteger(Int32(count == 0 ? 0 : 1))  // dimensions
        buffer.writeInteger(Int32(hasNull ? 1 : 0))
        buffer.writeInteger(elementType)
        if count > 0 {
            buffer.writeInteger(Int32(count))
            buffer.writeInteger(Int32(1))  // lower bound
        }
    }
}

extension NullableArray {
    static func text(_ values: [String?]) -> NullableArray { NullableArray(elements: .text(values)) }
    static func float8(_ values: [Double?]) -> NullableArray { NullableArray(elements: .float8(values)) }
}
