using System;
using System.Collections.Generic;
using Cortex.Autodiff;
using NUnit.Framework;

namespace Cortex.Tests.Brains;

/// <summary>The parameter layout of the test's recurrent brain (cell, then one hidden dense layer and the output layer), as matrices for the autodiff engine.</summary>
internal static class RecurrentBrainLayout
{
    /// <summary>
    /// Cuts θ and its hand-written gradient into matrices: the cell's input weights (H, In) per gate, recurrent weights
    /// (H, H) per gate, bias rows (1, H) (6 for a GRU, 1 for an Elman RNN), then the head's W (Mid, H), b (1, Mid),
    /// W (Out, Mid), b (1, Out). Returns the index of the head's first matrix.
    /// </summary>
    public static int Split(float[] theta, float[] gradient, bool gru, int inputs, int hidden, int mid, int outputs,
        List<Matrix> parameters, List<Matrix> handWritten)
    {
        int offset = 0;
        void Add(int rows, int cols)
        {
            parameters.Add(Matrix.FromSingle(theta.AsSpan(offset, rows * cols), rows, cols));
            handWritten.Add(Matrix.FromSingle(gradient.AsSpan(offset, rows * cols), rows, cols));
            offset += rows * cols;
        }
        int gates = gru ? 3 : 1;
        for (int k = 0; k < gates; k++) Add(hidden, inputs);
        for (int k = 0; k < gates; k++) Add(hidden, hidden);
        for (int k = 0; k < (gru ? 6 : 1); k++) Add(1, hidden);
        int head = parameters.Count;
        Add(mid, hidden);
        Add(1, mid);
        Add(outputs, mid);
        Add(1, outputs);
        Assert.That(offset, Is.EqualTo(theta.Length));
        return head;
    }
}
