using System;

namespace Cortex.Realtime;

/// <summary>Size checks for unmanaged component structs that are reinterpreted as rows of floats.</summary>
public static class Columns
{
    /// <summary>sizeof(<typeparamref name="T"/>) in bytes.</summary>
    /// <typeparam name="T">An unmanaged struct.</typeparam>
    public static unsafe int SizeOf<T>() where T : unmanaged => sizeof(T);

    /// <summary>
    /// Throws an <see cref="ArgumentException"/> naming the struct, both sizes and <paramref name="parameter"/>
    /// unless sizeof(<typeparamref name="T"/>) = <paramref name="width"/>·4, i.e. one struct is exactly one row of floats.
    /// </summary>
    /// <typeparam name="T">The component struct.</typeparam>
    /// <param name="width">Floats per row (a brain's Inputs or Outputs).</param>
    /// <param name="parameter">The argument that carries the column.</param>
    /// <param name="what">What the width is, e.g. "Inputs of Brain#1".</param>
    public static void CheckRow<T>(int width, string parameter, string what) where T : unmanaged
    {
        int size = SizeOf<T>();
        if (size != width * sizeof(float))
        {
            throw new ArgumentException(
                $"{typeof(T).Name} is {size} bytes but {what} is {width} floats ({width * sizeof(float)} bytes): sizeof({typeof(T).Name}) must equal {width}·4.",
                parameter);
        }
    }

    // For hot paths: formats the message only when the check fails.
    internal static void CheckRow<T>(int width, string parameter, string role, BrainHandle brain) where T : unmanaged
    {
        if (SizeOf<T>() != width * sizeof(float)) CheckRow<T>(width, parameter, $"{role} of {brain}");
    }

    /// <summary>True when every value is finite (no NaN, no ±∞).</summary>
    /// <param name="values">The values.</param>
    public static bool AllFinite(ReadOnlySpan<float> values)
    {
        foreach (float v in values)
        {
            if ((BitConverter.SingleToInt32Bits(v) & 0x7F800000) == 0x7F800000) return false;
        }
        return true;
    }
}
