using System.Collections.Generic;

namespace Cortex.Autodiff;

/// <summary>One line of a reverse adjoint trace: what one node's backward rule added to one input's adjoint.</summary>
internal sealed class AdjointStep
{
    private AdjointStep(Node from, Node to, int[] inputIndices, Dual[] contribution, Dual[] total, bool accumulated)
    {
        From = from;
        To = to;
        InputIndices = inputIndices;
        Contribution = contribution;
        Total = total;
        Accumulated = accumulated;
    }

    /// <summary>The node whose backward rule ran.</summary>
    public Node From { get; }

    /// <summary>The input that received the contribution.</summary>
    public Node To { get; }

    /// <summary>Where <see cref="To"/> appears among <see cref="From"/>'s inputs (twice for x × x).</summary>
    public int[] InputIndices { get; }

    /// <summary>What was added to the adjoint.</summary>
    public Dual[] Contribution { get; }

    /// <summary>The adjoint after the addition.</summary>
    public Dual[] Total { get; }

    /// <summary>True when the adjoint already held an earlier contribution (fan-out).</summary>
    public bool Accumulated { get; }

    /// <summary>Diffs each input's adjoint against its snapshot taken before <paramref name="node"/>'s backward rule ran.</summary>
    public static void Record(List<AdjointStep> steps, Node node, Dual[]?[] before)
    {
        Node[] inputs = node.Inputs;
        for (int i = 0; i < inputs.Length; i++)
        {
            Node input = inputs[i];
            if (!input.RequiresGradient || input.Adjoint is null || IndexOf(inputs, input) != i)
            {
                continue;
            }
            var occurrences = new List<int>();
            for (int j = i; j < inputs.Length; j++)
            {
                if (ReferenceEquals(inputs[j], input))
                {
                    occurrences.Add(j);
                }
            }
            Dual[] after = input.Adjoint;
            Dual[]? old = before[i];
            var contribution = new Dual[after.Length];
            for (int k = 0; k < after.Length; k++)
            {
                contribution[k] = old is null ? after[k] : after[k] - old[k];
            }
            steps.Add(new AdjointStep(node, input, occurrences.ToArray(), contribution, (Dual[])after.Clone(), old is not null));
        }
    }

    private static int IndexOf(Node[] inputs, Node input)
    {
        for (int i = 0; i < inputs.Length; i++)
        {
            if (ReferenceEquals(inputs[i], input))
            {
                return i;
            }
        }
        return -1;
    }
}
