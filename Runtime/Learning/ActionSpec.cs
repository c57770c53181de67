using System;

namespace Cortex.Learning;

/// <summary>
/// The actions of an agent: any number of discrete branches (each an integer choice among its own
/// count, as ML-Agents' branches) followed by any number of continuous values in [−1, 1]. A policy
/// network's outputs are the branches' logits in order, then the continuous means; an action row
/// holds one index (as a float) per branch, then the continuous values.
/// </summary>
public sealed class ActionSpec
{
    private readonly int[] _branches;
    private readonly int[] _branchOffsets;

    private ActionSpec(int[] branches, int continuous)
    {
        if (branches is null) throw new ArgumentNullException(nameof(branches));
        if (continuous < 0) throw new ArgumentOutOfRangeException(nameof(continuous), continuous, "continuous must be non-negative.");
        if (branches.Length == 0 && continuous == 0) throw new ArgumentException("An action spec needs at least one branch or one continuous value.", nameof(branches));
        _branches = (int[])branches.Clone();
        _branchOffsets = new int[_branches.Length];
        int offset = 0;
        for (int b = 0; b < _branches.Length; b++)
        {
            if (_branches[b] < 2) throw new ArgumentOutOfRangeException(nameof(branches), _branches[b], $"Branch {b} has {_branches[b]} actions; a branch needs at least 2.");
            _branchOffsets[b] = offset;
            offset += _branches[b];
        }
        DiscreteLogits = offset;
        ContinuousSize = continuous;
    }

    /// <summary>Discrete actions only: one branch per entry of <paramref name="branchSizes"/>.</summary>
    /// <param name="branchSizes">Actions per branch, each at least 2.</param>
    public static ActionSpec Discrete(params int[] branchSizes) => new(branchSizes, 0);

    /// <summary>Continuous actions only.</summary>
    /// <param name="size">Continuous values per action, at least 1.</param>
    public static ActionSpec Continuous(int size) =>
        size < 1 ? throw new ArgumentOutOfRangeException(nameof(size), size, "size must be at least 1.") : new(Array.Empty<int>(), size);

    /// <summary>Discrete branches and continuous values in one action.</summary>
    /// <param name="continuous">Continuous values.</param>
    /// <param name="branchSizes">Actions per branch, each at least 2.</param>
    public static ActionSpec Hybrid(int continuous, params int[] branchSizes) => new(branchSizes, continuous);

    /// <summary>Number of discrete branches.</summary>
    public int BranchCount => _branches.Length;

    /// <summary>Actions in branch <paramref name="branch"/>.</summary>
    /// <param name="branch">0 to <see cref="BranchCount"/> − 1.</param>
    public int BranchSize(int branch) => _branches[branch];

    /// <summary>Where branch <paramref name="branch"/>'s logits start in a policy output row (and its mask entries in a mask row).</summary>
    /// <param name="branch">0 to <see cref="BranchCount"/> − 1.</param>
    public int BranchOffset(int branch) => _branchOffsets[branch];

    /// <summary>Logits of all branches together (also the length of an action-mask row).</summary>
    public int DiscreteLogits { get; }

    /// <summary>Continuous values per action.</summary>
    public int ContinuousSize { get; }

    /// <summary>Outputs a policy network must have: <see cref="DiscreteLogits"/> + <see cref="ContinuousSize"/>.</summary>
    public int PolicyOutputs => DiscreteLogits + ContinuousSize;

    /// <summary>Floats per action row: one per branch, then the continuous values.</summary>
    public int ActionSize => _branches.Length + ContinuousSize;

    /// <inheritdoc />
    public override string ToString() =>
        $"ActionSpec(branches [{string.Join(", ", _branches)}], continuous {ContinuousSize})";
}
