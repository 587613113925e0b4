import Foundation
import GRDB

/// Hashes, nonces and tokens are `[UInt8]` throughout; SQLite stores them as BLOBs.
extension Array: @retroactive DatabaseValueConvertible, @retroactive SQLExpressible,
    @retroactive StatementBinding where Element == UInt8 {
    public var databaseValue: DatabaseValue { Data(self).databaseValue }

    public static func fromDatabaseValue(_ dbValue: DatabaseValue) -> [UInt8]? {
        Data.fromDatabaseValue(dbValue).map { [UInt8]($0) }
    }
}
