using System;
using System.Collections.Generic;
using System.Globalization;

namespace Cortex.Autodiff;

/// <summary>What <see cref="GradCheck.Run"/> found: every method's gradient, the largest errors and where the worst one is.</summary>
public sealed class GradCheckReport
{
    private double _worstRatio = -1;

    internal GradCheckReport(double absoluteTolerance, double relativeTolerance, Matrix[] reverse, Matrix[] forward,
        Matrix[] finiteDifference, IReadOnlyList<Matrix>? expected, int elements)
    {
        AbsoluteTolerance = absoluteTolerance;
        RelativeTolerance = relativeTolerance;
        Reverse = reverse;
        Forward = forward;
        FiniteDifference = finiteDifference;
        Expected = expected;
        Elements = elements;
    }

    /// <summary>True when every compared pair of values is within tolerance.</summary>
    public bool Passed => Failures == 0;

    /// <summary>How many compared pairs were out of tolerance (NaN or infinite differences count).</summary>
    public int Failures { get; private set; }

    /// <summary>How many pairs were compared: input elements × comparisons (2, or 3 with an expected gradient).</summary>
    public int Comparisons { get; private set; }

    /// <summary>Number of input elements.</summary>
    public int Elements { get; }

    /// <summary>The absolute tolerance used.</summary>
    public double AbsoluteTolerance { get; }

    /// <summary>The relative tolerance used.</summary>
    public double RelativeTolerance { get; }

    /// <summary>Largest |a − b| over all compared pairs.</summary>
    public double MaxAbsoluteError { get; private set; }

    /// <summary>Largest |a − b| / max(|a|, |b|) over all compared pairs (0 where both are 0).</summary>
    public double MaxRelativeError { get; private set; }

    /// <summary>
    /// The pair furthest out of (or closest to the edge of) tolerance, e.g.
    /// "input 2 (0, 1): reverse 0.5 vs finite difference 0.51"; empty if nothing was compared.
    /// </summary>
    public string Worst { get; private set; } = "";

    /// <summary>Input index of <see cref="Worst"/>, or −1.</summary>
    public int WorstInput { get; private set; } = -1;

    /// <summary>Row-major element index (within its input) of <see cref="Worst"/>, or −1.</summary>
    public int WorstIndex { get; private set; } = -1;

    /// <summary>The gradient by reverse mode, one matrix per input.</summary>
    public IReadOnlyList<Matrix> Reverse { get; }

    /// <summary>The gradient by forward mode, one matrix per input.</summary>
    public IReadOnlyList<Matrix> Forward { get; }

    /// <summary>The gradient by central finite differences, one matrix per input.</summary>
    public IReadOnlyList<Matrix> FiniteDifference { get; }

    /// <summary>The gradient that was checked, or null.</summary>
    public IReadOnlyList<Matrix>? Expected { get; }

    internal void Compare(string leftName, IReadOnlyList<Matrix> left, string rightName, IReadOnlyList<Matrix> right)
    {
        for (int i = 0; i < left.Count; i++)
        {
            for (int e = 0; e < left[i].Length; e++)
            {
                double a = left[i][e], b = right[i][e];
                double error = Math.Abs(a - b);
                double scale = Math.Max(Math.Abs(a), Math.Abs(b));
                double relative = scale == 0 ? 0 : error / scale;
                double allowed = AbsoluteTolerance + RelativeTolerance * scale;
                bool finite = !double.IsNaN(error) && !double.IsInfinity(error);
                double ratio = !finite ? double.PositiveInfinity : allowed == 0 ? (error == 0 ? 0 : double.PositiveInfinity) : error / allowed;
                Comparisons++;
                if (!finite || error > allowed)
                {
                    Failures++;
                }
                MaxAbsoluteError = finite ? Math.Max(MaxAbsoluteError, error) : double.PositiveInfinity;
                MaxRelativeError = finite ? Math.Max(MaxRelativeError, relative) : double.PositiveInfinity;
                if (ratio > _worstRatio)
                {
                    _worstRatio = ratio;
                    WorstInput = i;
                    WorstIndex = e;
                    Matrix m = left[i];
                    Worst = string.Format(CultureInfo.InvariantCulture, "input {0} ({1}, {2}): {3} {4:R} vs {5} {6:R}",
                        i, e / m.Cols, e % m.Cols, leftName, a, rightName, b);
                }
            }
        }
    }

    /// <summary>One line: passed or failed, the largest errors, the tolerances and the worst pair.</summary>
    public override string ToString() =>
        string.Format(CultureInfo.InvariantCulture,
            "grad check {0}: {1} of {2} comparisons out of tolerance (abs {3:G3}, rel {4:G3}); max abs error {5:G3}, max rel error {6:G3}; worst: {7}",
            Passed ? "passed" : "FAILED", Failures, Comparisons, AbsoluteTolerance, RelativeTolerance,
            MaxAbsoluteError, MaxRelativeError, Worst);
}
