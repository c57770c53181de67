using System;

namespace Cortex.Kernels;

/// <summary>Argument checks shared by the kernels: each throws an <see cref="ArgumentException"/> naming the parameter and both sizes.</summary>
internal static class Check
{
    public static void Dimensions(int rows, int columns)
    {
        if (rows < 0) throw new ArgumentOutOfRangeException(nameof(rows), rows, "rows must be non-negative.");
        if (columns < 0) throw new ArgumentOutOfRangeException(nameof(columns), columns, "columns must be non-negative.");
    }

    public static void AtLeast(int length, long needed, string name, string what)
    {
        if (length < needed) throw new ArgumentException($"{name} holds {length} values but {what} = {needed} are needed.", name);
    }

    public static void Matrix(int length, int rows, int columns, string name)
    {
        long needed = (long)rows * columns;
        if (length < needed) throw new ArgumentException($"{name} holds {length} values but rows*columns = {rows}*{columns} = {needed} are needed.", name);
    }

    public static void SameLength(int length, int expected, string name, string otherName)
    {
        if (length != expected) throw new ArgumentException($"{name} holds {length} values but {otherName} holds {expected}; they must match.", name);
    }
}
