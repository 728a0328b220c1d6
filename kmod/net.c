// SPDX-License-Identifier: GPL-2.0
/*
 * Per network namespace state.
 *
 * Teardown order matters: when a namespace dies, our pernet exit runs
 * BEFORE nf_tables' own exit destroys the namespace's rules (pernet ops
 * exit in reverse registration order), but the net_generic area is freed
 * only after every exit method has run. So rule destroy callbacks may
 * still touch the plain fields of struct lvs_net, never anything that
 * lvs_net_exit_ns() releases.
 */
#include <linux/module.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include "nft_lvs.h"

static unsigned int lvs_net_id __read_mostly;

struct lvs_net *lvs_pernet(const struct net *net)
{
	return net_generic(net, lvs_net_id);
}

static int lvs_stats_show(struct seq_file *seq, void *v)
{
	const struct lvs_net *ln = lvs_pernet(seq_file_single_net(seq));

	seq_printf(seq, "services %d\n", atomic_read(&ln->services));
	return 0;
}

static int __net_init lvs_net_init_ns(struct net *net)
{
	struct lvs_net *ln = lvs_pernet(net);

	atomic_set(&ln->services, 0);
	ln->proc_dir = proc_net_mkdir(net, "nft_lvs", net->proc_net);
	if (!ln->proc_dir)
		return -ENOMEM;
	if (!proc_create_net_single("stats", 0444, ln->proc_dir,
				    lvs_stats_show, NULL)) {
		remove_proc_subtree("nft_lvs", net->proc_net);
		return -ENOMEM;
	}
	return 0;
}

static void __net_exit lvs_net_exit_ns(struct net *net)
{
	remove_proc_subtree("nft_lvs", net->proc_net);
}

static struct pernet_operations lvs_net_ops = {
	.init	= lvs_net_init_ns,
	.exit	= lvs_net_exit_ns,
	.id	= &lvs_net_id,
	.size	= sizeof(struct lvs_net),
};

int lvs_net_init(void)
{
	return register_pernet_subsys(&lvs_net_ops);
}

void lvs_net_exit(void)
{
	unregister_pernet_subsys(&lvs_net_ops);
}
