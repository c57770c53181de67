using System;
using System.Collections.Generic;

namespace Cortex.Diagnostics;

/// <summary>
/// What <see cref="GradientCheck"/> found: the gradient under test (hand-written, in float) against the
/// autodiff engine's reverse mode and forward mode and against central finite differences, each a
/// <see cref="GradientComparison"/>, with every method's gradient in one flat order.
/// </summary>
public sealed class GradientCheckReport
{
    internal GradientCheckReport(string subject, GradientTolerance tolerance, double[] handWritten, double[] reverse, double[] forward,
        double[] finiteDifferences, bool[] smooth, Func<int, string> where)
    {
        Subject = subject;
        Tolerance = tolerance;
        HandWritten = handWritten;
        Reverse = reverse;
        Forward = forward;
        FiniteDifferences = finiteDifferences;
        AgainstReverse = new GradientComparison("reverse mode", tolerance);
        AgainstForward = new GradientComparison("forward mode", tolerance);
        AgainstFiniteDifferences = new GradientComparison("finite differences", tolerance);
        for (int i = 0; i < handWritten.Length; i++)
        {
            string at = where(i);
            AgainstReverse.Add(i, at, handWritten[i], reverse[i]);
            AgainstForward.Add(i, at, handWritten[i], forward[i]);
            AgainstFiniteDifferences.Add(i, at, handWritten[i], finiteDifferences[i], smooth[i]);
        }
    }

    /// <summary>What was checked, e.g. "Tanh (3, 3)" or a brain's spec.</summary>
    public string Subject { get; }

    /// <summary>The tolerances applied.</summary>
    public GradientTolerance Tolerance { get; }

    /// <summary>Hand-written versus reverse mode (adjoints).</summary>
    public GradientComparison AgainstReverse { get; }

    /// <summary>Hand-written versus forward mode (dual numbers, one pass per element).</summary>
    public GradientComparison AgainstForward { get; }

    /// <summary>Hand-written versus central finite differences (points at kinks skipped, see <see cref="GradientComparison.Skipped"/>).</summary>
    public GradientComparison AgainstFiniteDifferences { get; }

    /// <summary>The gradient under test, widened to double.</summary>
    public IReadOnlyList<double> HandWritten { get; }

    /// <summary>The gradient by reverse mode.</summary>
    public IReadOnlyList<double> Reverse { get; }

    /// <summary>The gradient by forward mode.</summary>
    public IReadOnlyList<double> Forward { get; }

    /// <summary>The gradient by central finite differences.</summary>
    public IReadOnlyList<double> FiniteDifferences { get; }

    /// <summary>True when all three references agree with the gradient under test.</summary>
    public bool Passed => AgainstReverse.Passed && AgainstForward.Passed && AgainstFiniteDifferences.Passed;

    /// <inheritdoc />
    public override string ToString() =>
        $"{Subject}: {(Passed ? "passed" : "FAILED")}\n  {AgainstReverse}\n  {AgainstForward}\n  {AgainstFiniteDifferences}";
}
