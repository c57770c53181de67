using System;

namespace Cortex;

/// <summary>The argument checks of <see cref="Brain"/>'s public methods, by the caller's parameter names.</summary>
internal static class BrainChecks
{
    public static void CheckBatch(int batch, int max)
    {
        if (batch < 0 || batch > max) throw new ArgumentOutOfRangeException(nameof(batch), batch, $"batch must lie in [0, {max}] (the brain's MaxBatch).");
    }

    public static void CheckRows(int length, int rows, int width, string name)
    {
        long need = (long)rows * width;
        if (length < need) throw new ArgumentException($"{name} holds {length} values but batch*width = {rows}*{width} = {need} are needed.", name);
    }

    public static void CheckExact(int length, int expected, string name)
    {
        if (length != expected) throw new ArgumentException($"{name} holds {length} values but the brain has {expected} parameters.", name);
    }
}
