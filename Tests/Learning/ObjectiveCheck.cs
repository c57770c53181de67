using System;
using System.Text;
using Cortex.Autodiff;
using Cortex.Diagnostics;

namespace Cortex.Tests.Learning;

/// <summary>
/// The three-way check of a learner's hand-written objective gradient: against the autodiff engine's
/// reverse mode and forward mode (the objective built as a graph), and against central finite differences
/// of an independent double-precision reference (points at kinks skipped). Built only on the public
/// Autodiff API, so it does not depend on the diagnostics' report types.
/// </summary>
internal static class ObjectiveCheck
{
    internal sealed record Report(string Subject, bool Passed, int Checked, int Skipped, string Worst)
    {
        public override string ToString() => $"{Subject}: {(Passed ? "passed" : "FAILED")} ({Checked} derivatives, {Skipped} skipped at kinks; worst {Worst})";
    }

    public static Report Run(string subject, Func<Graph, Node[], Node> function, Func<Matrix[], double> reference, Matrix[] points,
        ReadOnlySpan<float> handWritten, GradientTolerance? tolerance = null)
    {
        GradientTolerance tol = tolerance ?? GradientTolerance.Float;
        int total = 0;
        foreach (Matrix m in points) total += m.Length;
        if (handWritten.Length != total) throw new ArgumentException($"handWritten holds {handWritten.Length} values but the points hold {total}.", nameof(handWritten));
        Matrix[] reverse = Derivatives.Gradient(function, points);
        Matrix forward = Derivatives.JacobianForward(function, points).Jacobian;
        double center = reference(points);
        bool passed = true;
        int index = 0, skipped = 0, failures = 0;
        double worstError = -1;
        var worst = new StringBuilder("none");
        for (int m = 0; m < points.Length; m++)
        {
            Span<double> values = points[m].AsSpan();
            for (int e = 0; e < values.Length; e++, index++)
            {
                double saved = values[e], h = GradientCheck.Step * Math.Max(1.0, Math.Abs(saved));
                values[e] = saved + h;
                double plus = reference(points);
                values[e] = saved - h;
                double minus = reference(points);
                values[e] = saved;
                double slopeForward = (plus - center) / h, slopeBackward = (center - minus) / h;
                bool smooth = Math.Abs(slopeForward - slopeBackward) <= 1e-2 + 1e-2 * (Math.Abs(slopeForward) + Math.Abs(slopeBackward));
                double analytic = handWritten[index], fd = (plus - minus) / (2 * h);
                bool ok = tol.Accepts(analytic, reverse[m][e]) && tol.Accepts(analytic, forward[0, index]) && !double.IsNaN(analytic);
                if (smooth) ok &= tol.Accepts(analytic, fd);
                else skipped++;
                double error = Math.Max(Math.Abs(analytic - reverse[m][e]), Math.Abs(analytic - forward[0, index]));
                if (smooth) error = Math.Max(error, Math.Abs(analytic - fd));
                if (!ok) { passed = false; failures++; }
                if ((!ok && failures == 1) || (failures == 0 && error > worstError))
                {
                    worstError = error;
                    worst.Clear().Append($"input {m} [{e / points[m].Cols},{e % points[m].Cols}]: hand-written {analytic:G9}, reverse {reverse[m][e]:G9}, forward {forward[0, index]:G9}, finite differences {fd:G9}");
                }
            }
        }
        passed &= total > 0 && skipped * 10 <= total;
        return new Report(subject, passed, total - skipped, skipped, worst.ToString());
    }
}
