using System;

namespace Cortex.Diagnostics;

/// <summary>Tolerances of a gradient check: |hand-written − reference| ≤ Absolute + Relative·max(|hand-written|, |reference|).</summary>
/// <param name="Absolute">Absolute slack, ≥ 0.</param>
/// <param name="Relative">Relative slack, ≥ 0.</param>
public readonly record struct GradientTolerance(double Absolute, double Relative)
{
    /// <summary>Float backward against double references: 1e-4 absolute, 1e-3 relative.</summary>
    public static GradientTolerance Float => new(1e-4, 1e-3);

    /// <summary>True when the pair agrees (never when either is NaN).</summary>
    /// <param name="analytic">Hand-written gradient.</param>
    /// <param name="reference">Reference gradient.</param>
    public bool Accepts(double analytic, double reference) =>
        Math.Abs(analytic - reference) <= Absolute + Relative * Math.Max(Math.Abs(analytic), Math.Abs(reference));

    internal GradientTolerance Validated()
    {
        if (!(Absolute >= 0) || !(Relative >= 0) || double.IsInfinity(Absolute) || double.IsInfinity(Relative))
        {
            throw new ArgumentException($"Gradient tolerances must be finite and ≥ 0, got absolute {Absolute} and relative {Relative}.", "tolerance");
        }
        return this;
    }
}
