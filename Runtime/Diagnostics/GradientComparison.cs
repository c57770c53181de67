using System;

namespace Cortex.Diagnostics;

/// <summary>One column of a <see cref="GradientCheckReport"/>: the gradient under test against one reference method, element by element.</summary>
public sealed class GradientComparison
{
    internal GradientComparison(string method, GradientTolerance tolerance)
    {
        Method = method;
        Tolerance = tolerance;
    }

    /// <summary>The reference: "reverse mode", "forward mode" or "finite differences".</summary>
    public string Method { get; }

    /// <summary>The tolerances applied.</summary>
    public GradientTolerance Tolerance { get; }

    /// <summary>Number of derivatives compared.</summary>
    public int Checked { get; private set; }

    /// <summary>Number of derivatives outside the tolerance (NaN counts).</summary>
    public int Failures { get; private set; }

    /// <summary>Largest |hand-written − reference|.</summary>
    public double MaxAbsoluteError { get; private set; }

    /// <summary>Largest |hand-written − reference| / max(|hand-written|, |reference|, 1e-12).</summary>
    public double MaxRelativeError { get; private set; }

    /// <summary>The first failing (or else the worst) derivative, e.g. "layer 1 W[2,0]: hand-written 0.1 vs finite differences 0.2".</summary>
    public string Worst { get; private set; } = "none";

    /// <summary>Index (in the report's flat order) of <see cref="Worst"/>, or −1.</summary>
    public int WorstIndex { get; private set; } = -1;

    /// <summary>
    /// Derivatives not compared because the function jumps or kinks within one step of the point (e.g. a step
    /// unit or a ReLU at 0): there the one-sided finite differences disagree and none is meaningful. Only
    /// finite differences skip; the autodiff modes follow the same conventions as the hand-written code.
    /// </summary>
    public int Skipped { get; private set; }

    /// <summary>True when every derivative compared agreed and at most a tenth had to be skipped.</summary>
    public bool Passed => Failures == 0 && Checked > 0 && Skipped * 10 <= Checked + Skipped;

    internal void Add(int index, string where, double analytic, double reference, bool smooth = true)
    {
        if (!smooth)
        {
            Skipped++;
            return;
        }
        Checked++;
        double abs = Math.Abs(analytic - reference);
        double rel = abs / Math.Max(1e-12, Math.Max(Math.Abs(analytic), Math.Abs(reference)));
        bool ok = Tolerance.Accepts(analytic, reference) && !double.IsNaN(analytic) && !double.IsNaN(reference);
        string line = $"{where}: hand-written {analytic:G9} vs {Method} {reference:G9}";
        if (!ok && Failures++ == 0) (Worst, WorstIndex) = (line, index);
        else if (Failures == 0 && abs >= MaxAbsoluteError) (Worst, WorstIndex) = (line, index);
        MaxAbsoluteError = Math.Max(MaxAbsoluteError, double.IsNaN(abs) ? double.PositiveInfinity : abs);
        MaxRelativeError = Math.Max(MaxRelativeError, double.IsNaN(rel) ? double.PositiveInfinity : rel);
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"{Method}: {(Passed ? "passed" : "FAILED")} ({Checked} derivatives, {Failures} outside tolerance, {Skipped} skipped at kinks, max abs {MaxAbsoluteError:G3}, max rel {MaxRelativeError:G3}; worst {Worst})";
}
