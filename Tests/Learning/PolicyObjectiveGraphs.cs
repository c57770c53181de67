using System;
using Cortex.Autodiff;
using Cortex.Learning;

namespace Cortex.Tests.Learning;

/// <summary>
/// The learners' objectives written a second and a third time, independently of the hand-written
/// code: as autodiff graphs (reverse and forward mode) and as plain double-precision references (for
/// finite differences). Rows are picked out of a matrix with selection matrices, masked actions by
/// leaving their columns out of the softmax.
/// </summary>
internal static class PolicyObjectiveGraphs
{
    private const double HalfLog2Pi = 0.91893853320467274178;

    /// <summary>A (1, n) row selector e_i.</summary>
    public static Matrix RowSelector(int n, int i)
    {
        var m = new Matrix(1, n);
        m[0, i] = 1;
        return m;
    }

    /// <summary>A (K, count) matrix picking the allowed columns of one branch.</summary>
    public static Matrix ColumnPicker(int k, int offset, int size, ReadOnlySpan<byte> masked, out int[] allowed)
    {
        int count = 0;
        for (int j = 0; j < size; j++) if (masked.IsEmpty || masked[offset + j] == 0) count++;
        allowed = new int[count];
        var m = new Matrix(k, count);
        for (int j = 0, c = 0; j < size; j++)
        {
            if (!masked.IsEmpty && masked[offset + j] != 0) continue;
            allowed[c] = j;
            m[offset + j, c++] = 1;
        }
        return m;
    }

    /// <summary>log π(a | row i) and H(row i) as graph nodes (1×1), from outputs (n, K) and log σ (1, C).</summary>
    public static (Node LogProb, Node Entropy) LogProb(Graph g, ActionSpec spec, Node outputs, Node logStd, int n, int i,
        float[] actions, byte[] masked)
    {
        int k = spec.PolicyOutputs, d = spec.DiscreteLogits;
        Node row = g.MatMul(g.Constant(RowSelector(n, i)), outputs);   // (1, K)
        Node logProb = g.Constant(0), entropy = g.Constant(0);
        ReadOnlySpan<byte> mask = masked.Length == 0 ? default : masked.AsSpan(i * d, d);
        for (int b = 0; b < spec.BranchCount; b++)
        {
            Matrix pick = ColumnPicker(k, spec.BranchOffset(b), spec.BranchSize(b), mask, out int[] allowed);
            Node logits = g.MatMul(row, g.Constant(pick));
            Node ls = g.LogSoftmax(logits);
            var chosen = new Matrix(allowed.Length, 1);
            chosen[Array.IndexOf(allowed, (int)actions[i * spec.ActionSize + b]), 0] = 1;
            logProb = logProb + g.MatMul(ls, g.Constant(chosen));
            entropy = entropy - g.Sum(g.Mul(g.Softmax(logits), ls));
        }
        for (int c = 0; c < spec.ContinuousSize; c++)
        {
            var pickMean = new Matrix(k, 1);
            pickMean[d + c, 0] = 1;
            var pickStd = new Matrix(spec.ContinuousSize, 1);
            pickStd[c, 0] = 1;
            Node mean = g.MatMul(row, g.Constant(pickMean)), s = g.MatMul(logStd, g.Constant(pickStd));
            Node diff = g.Constant(actions[i * spec.ActionSize + spec.BranchCount + c]) - mean;
            logProb = logProb - g.Square(diff) / (2.0 * g.Exp(2.0 * s)) - s - HalfLog2Pi;
            entropy = entropy + s + (0.5 + HalfLog2Pi);
        }
        return (logProb, entropy);
    }

    /// <summary>min(x, y) through max.</summary>
    public static Node Min(Graph g, Node x, Node y) => g.Neg(g.Max(g.Neg(x), g.Neg(y)));

    /// <summary>clip(x, lo, hi).</summary>
    public static Node Clip(Graph g, Node x, double lo, double hi) => g.Max(g.Constant(lo), Min(g, x, g.Constant(hi)));

    /// <summary>Reference log π and entropy of row i in double.</summary>
    public static double ReferenceLogProb(ActionSpec spec, Matrix outputs, Matrix logStd, int i, float[] actions, byte[] masked, out double entropy)
    {
        int d = spec.DiscreteLogits;
        double logProb = 0;
        entropy = 0;
        for (int b = 0; b < spec.BranchCount; b++)
        {
            int offset = spec.BranchOffset(b), size = spec.BranchSize(b);
            double max = double.NegativeInfinity;
            for (int j = 0; j < size; j++) if (Allowed(masked, i * d + offset + j)) max = Math.Max(max, outputs[i, offset + j]);
            double sum = 0;
            for (int j = 0; j < size; j++) if (Allowed(masked, i * d + offset + j)) sum += Math.Exp(outputs[i, offset + j] - max);
            double logSum = max + Math.Log(sum);
            for (int j = 0; j < size; j++)
            {
                if (!Allowed(masked, i * d + offset + j)) continue;
                double lp = outputs[i, offset + j] - logSum;
                entropy -= Math.Exp(lp) * lp;
            }
            logProb += outputs[i, offset + (int)actions[i * spec.ActionSize + b]] - logSum;
        }
        for (int c = 0; c < spec.ContinuousSize; c++)
        {
            double s = logStd[0, c], diff = actions[i * spec.ActionSize + spec.BranchCount + c] - outputs[i, d + c];
            logProb += -diff * diff / (2 * Math.Exp(2 * s)) - s - HalfLog2Pi;
            entropy += s + 0.5 + HalfLog2Pi;
        }
        return logProb;
    }

    private static bool Allowed(byte[] masked, int index) => masked.Length == 0 || masked[index] == 0;
}
